from rest_framework.pagination import CursorPagination


class HistoryCursor(CursorPagination):
    """Newest first; a cursor stays correct while new invocations arrive (no skipped rows)."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
