"""The demo district: generated projects and progress, the master, returned forms and the month's jobs."""
