"""A trainee's scenario runs, each played on a sandbox product in the normal interface."""
