"""Documents: upload pilot documents as evidence; see what was indexed and what was refused."""

from __future__ import annotations

import streamlit as st

from app.schemas import Workspace
from app.service.advisor import Advisor
from app.ui import state
from app.ui.state import View


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    space = state.need_workspace(workspace)
    st.header("Documents")
    st.write(
        "Upload pilot reports, minutes, architecture notes or RAID logs (PDF, DOCX, Markdown "
        "or text). They are read as evidence; text in them is never followed as instructions."
    )
    uploads = st.file_uploader(
        "Add documents", accept_multiple_files=True, key=f"upload-{space.id}"
    )
    done: set[str] = st.session_state.setdefault("_uploaded", set())
    for upload in uploads or []:
        key = f"{space.id}/{upload.file_id}"
        if key in done:
            continue
        with st.status(f"Reading {upload.name}...", expanded=False) as status:
            record = state.guarded(
                f"read {upload.name}",
                adv.add_document,
                space.id,
                upload.name,
                upload.getvalue(),
                user,
            )
            done.add(key)
            if record is None:
                status.update(label=f"{upload.name}: failed", state="error")
            elif record.status == "indexed":
                pages = f", {record.pages} pages" if record.pages else ""
                status.update(
                    label=f"{record.source}: indexed ({record.chunks} passages{pages})",
                    state="complete",
                )
            else:
                status.update(label=f"{upload.name}: refused", state="error")
                st.error(record.error)

    records = adv.documents(space.id, user)
    if not records:
        st.caption("No documents yet.")
        return
    st.subheader("In this pilot")
    for record in records:
        cols = st.columns([4, 2, 1])
        name = state.plain(record.source)
        if record.status == "indexed":
            pages = f" \u00b7 {record.pages} pages" if record.pages else ""
            cols[0].markdown(f":material/description: **{name}**")
            cols[1].write(f"indexed \u00b7 {record.chunks} passages{pages}")
        elif record.status == "indexing":
            cols[0].markdown(f":material/hourglass_top: **{name}**")
            cols[1].write("being read")
        else:
            cols[0].markdown(f":material/warning: **{name}**")
            cols[1].write("refused")
            cols[0].caption(state.plain(record.error or ""))
        if cols[2].button("Remove", key=f"rm-{record.id}"):
            state.guarded("remove the document", adv.remove_document, space.id, record.source, user)
            state.rerun(adv, view, user)
