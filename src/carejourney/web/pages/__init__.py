"""The web app's pages: one module per page, each with a `router` (see `web.app`)."""
