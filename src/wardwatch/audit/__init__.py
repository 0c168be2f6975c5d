"""Configuration audit: collector bundles in, hardening checks from the seeds out (`wardwatch audit`)."""
