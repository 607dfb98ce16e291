"""Projects: the JSON schema (torch-free) and the pipeline that renders one."""
