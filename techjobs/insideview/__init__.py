from .client import ApiError, InsideViewClient, JobStatus

__all__ = ["ApiError", "InsideViewClient", "JobStatus"]
