"""Reports, and the charts in them: what carejourney gives back to people to read."""
