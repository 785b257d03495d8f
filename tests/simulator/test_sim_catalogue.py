"""The catalogue and the deterministic tech profile, without a server."""

import pytest

from simulator.catalogue import (
    MAX_PRODUCTS,
    MIN_PRODUCTS,
    PRODUCTS,
    RESULT_COLUMNS,
    installed_products,
    tech_profile,
)

SAMPLE_IDS = [str(n) for n in range(500000, 504000)]


def test_catalogue_size():
    assert len(PRODUCTS) >= 60
    assert len({product.category_id for product in PRODUCTS}) >= 12


def test_catalogue_ids_unique():
    assert len({product.product_id for product in PRODUCTS}) == len(PRODUCTS)
    names = {}
    for product in PRODUCTS:
        names.setdefault(product.sub_category_id, set()).add(product.sub_category_name)
    assert all(len(found) == 1 for found in names.values())


@pytest.mark.parametrize(
    ("category", "product", "vendor"),
    [
        ("CRM", "Salesforce Sales Cloud", "Salesforce"),
        ("Marketing Automation", "HubSpot Marketing Hub", "HubSpot"),
        ("Web Servers", "nginx", "F5"),
        ("Cloud", "AWS EC2", "Amazon"),
        ("Analytics", "Google Analytics", "Google"),
    ],
)
def test_catalogue_has_known_products(category, product, vendor):
    assert (category, product, vendor) in {
        (item.category_name, item.product_name, item.vendor_name) for item in PRODUCTS
    }


@pytest.mark.parametrize("company_id", ["736233", "781163", "724468"])
def test_documented_examples_found(company_id):
    rows = tech_profile(company_id)

    assert rows
    assert {row["status"] for row in rows} == {"found"}


def test_product_count_range():
    counts = {len(installed_products(company_id) or ()) for company_id in SAMPLE_IDS}

    assert counts - {0} == set(range(MIN_PRODUCTS, MAX_PRODUCTS + 1))


def test_unknown_fraction():
    unknown = sum(installed_products(company_id) is None for company_id in SAMPLE_IDS)

    # One in 40 expected, so about 100 of 4,000.
    assert 60 <= unknown <= 140


def test_profile_deterministic():
    installed_products.cache_clear()
    first = [tech_profile(company_id) for company_id in SAMPLE_IDS[:200]]
    installed_products.cache_clear()
    second = [tech_profile(company_id) for company_id in SAMPLE_IDS[:200]]

    assert first == second


def test_profile_is_pinned():
    # Pins the derivation, so a change to the hashing shows up here first.
    names = [product.product_name for product in installed_products("736233")]

    assert names == [
        "DigitalOcean Droplets",
        "Jira Software",
        "Adyen",
        "CrowdStrike Falcon",
        "Oracle Database",
    ]


def test_found_rows():
    rows = tech_profile("781163")
    products = installed_products("781163")

    assert len(rows) == len(products)
    for row, product in zip(rows, products, strict=True):
        assert tuple(row) == RESULT_COLUMNS
        assert row["companyId"] == "781163"
        assert row["productId"] == str(product.product_id)
        assert row["vendorName"] == product.vendor_name
        assert row["errorMessage"] == ""


@pytest.mark.parametrize("company_id", ["abc", "12a", "", "٣٤"])
def test_non_numeric_id_not_found(company_id):
    rows = tech_profile(company_id)

    assert len(rows) == 1
    assert rows[0]["status"] == "notFound"
    assert rows[0]["errorMessage"] == "Company not found."
    assert rows[0]["productName"] == ""
