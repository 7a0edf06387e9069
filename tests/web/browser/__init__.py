"""Browser tests: the real app under uvicorn, driven by Debian's Chromium through Playwright."""
