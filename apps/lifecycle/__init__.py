"""A business's data lifecycle (export everything, delete everything), as services the portal
and the API both call: they are sibling presentation layers and cannot import each other."""
