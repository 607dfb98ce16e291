"""Networks, the registry of named models (torch-free), builders, weight files and their download."""
