"""Batched arithmetic shared by the models; knows nothing of files or scenarios."""
