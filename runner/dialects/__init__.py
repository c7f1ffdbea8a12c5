"""Result dialects: each sub-package bundles its reader, its commands and its renderer."""
