"""Bill documents: intake (portal upload, inbound email), extraction pipeline, staff review.

See docs/documents.md. Pure parts (checks, text, fields, vendor match, pipeline) import no models.
"""
