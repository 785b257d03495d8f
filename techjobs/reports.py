"""Searching and summarizing stored result rows, for one job or a whole upload."""

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet

RESULTS_PER_PAGE = 50
TOP_PRODUCTS = 10
MAX_QUERY_LENGTH = 100
FOUND = "found"


def search(results: QuerySet, query: str) -> QuerySet:
    """Filter rows by an exact company id or a part of a product, vendor or category."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return results
    return results.filter(
        Q(company_id=query)
        | Q(product__icontains=query)
        | Q(vendor__icontains=query)
        | Q(category__icontains=query)
        | Q(sub_category__icontains=query)
    )


def summarize(results: QuerySet, *, query: str = "", page_number=None) -> dict:
    """Return a page of matching rows and the chart data, in constant queries."""
    matching = search(results, query).order_by(
        "company_id", "category", "product", "pk"
    )
    found = results.filter(status=FOUND)
    companies = results.values("company_id").distinct().count()
    top_products = list(
        found.values("product", "vendor")
        .annotate(companies=Count("company_id", distinct=True))
        .order_by("-companies", "product")[:TOP_PRODUCTS]
    )
    categories = list(
        found.values("category")
        .annotate(
            companies=Count("company_id", distinct=True),
            products=Count("product", distinct=True),
        )
        .order_by("-companies", "category")
    )
    return {
        "query": query.strip()[:MAX_QUERY_LENGTH],
        "page": Paginator(matching, RESULTS_PER_PAGE).get_page(page_number),
        "companies": companies,
        "not_found": results.exclude(status=FOUND)
        .values("company_id")
        .distinct()
        .count(),
        "top_products": top_products,
        "categories": categories,
    }
