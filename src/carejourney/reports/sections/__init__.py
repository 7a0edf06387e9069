"""The diagnostic report's sections, one module each: `build(context) -> Section`."""
