"""Adapters for models and services. Vendor SDKs are imported only inside these modules."""
