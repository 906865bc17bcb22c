"""The Django project: persistence for the CLI now, the web app later (PRODUCT.md)."""
