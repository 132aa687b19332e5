"""The HTTP service: thin routers over the pipeline."""
