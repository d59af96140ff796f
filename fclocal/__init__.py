"""fclocal: a local Function Compute 2.0 endpoint that runs the functions of an s.yaml."""
