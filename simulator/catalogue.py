"""Technology catalogue and the deterministic tech profile of each company.

The categories, products and vendors are real, but the ids are the simulator's own.
Which products a company has is derived from a SHAKE-256 digest of its id, so every
run, process and Python version returns the same rows for the same id.
"""

import functools
import hashlib
from typing import NamedTuple

# Each entry is (categoryId, categoryName, sub-categories), and each sub-category is
# (subCategoryId, subCategoryName, [(productName, vendorName), ...]).
# A product's id is its sub-category id times 100 plus its position, from 1.
_CATALOGUE = [
    (1, "CRM", [
        (101, "Sales Force Automation", [
            ("Salesforce Sales Cloud", "Salesforce"),
            ("Microsoft Dynamics 365 Sales", "Microsoft"),
            ("HubSpot Sales Hub", "HubSpot"),
            ("Pipedrive", "Pipedrive"),
            ("Zoho CRM", "Zoho"),
        ]),
        (102, "Customer Service", [
            ("Zendesk Support", "Zendesk"),
            ("Salesforce Service Cloud", "Salesforce"),
            ("Freshdesk", "Freshworks"),
            ("ServiceNow Customer Service Management", "ServiceNow"),
        ]),
    ]),
    (2, "Marketing Automation", [
        (201, "Marketing Automation Platforms", [
            ("HubSpot Marketing Hub", "HubSpot"),
            ("Marketo Engage", "Adobe"),
            ("Salesforce Marketing Cloud Account Engagement", "Salesforce"),
            ("Oracle Eloqua", "Oracle"),
        ]),
        (202, "Email Marketing", [
            ("Mailchimp", "Intuit"),
            ("SendGrid", "Twilio"),
            ("Klaviyo", "Klaviyo"),
        ]),
    ]),
    (3, "Web Servers", [
        (301, "HTTP Servers", [
            ("nginx", "F5"),
            ("Apache HTTP Server", "Apache Software Foundation"),
            ("Microsoft IIS", "Microsoft"),
            ("LiteSpeed Web Server", "LiteSpeed Technologies"),
        ]),
        (302, "Content Delivery Networks", [
            ("Cloudflare CDN", "Cloudflare"),
            ("Akamai Connected Cloud", "Akamai Technologies"),
            ("Amazon CloudFront", "Amazon"),
            ("Fastly", "Fastly"),
        ]),
    ]),
    (4, "Cloud", [
        (401, "Infrastructure as a Service", [
            ("AWS EC2", "Amazon"),
            ("Azure Virtual Machines", "Microsoft"),
            ("Google Compute Engine", "Google"),
            ("DigitalOcean Droplets", "DigitalOcean"),
        ]),
        (402, "Object Storage", [
            ("Amazon S3", "Amazon"),
            ("Azure Blob Storage", "Microsoft"),
            ("Google Cloud Storage", "Google"),
        ]),
    ]),
    (5, "Analytics", [
        (501, "Web Analytics", [
            ("Google Analytics", "Google"),
            ("Adobe Analytics", "Adobe"),
            ("Matomo", "InnoCraft"),
        ]),
        (502, "Product Analytics", [
            ("Mixpanel", "Mixpanel"),
            ("Amplitude Analytics", "Amplitude"),
            ("Pendo", "Pendo"),
        ]),
    ]),
    (6, "Business Intelligence", [
        (601, "Dashboards and Reporting", [
            ("Tableau", "Salesforce"),
            ("Microsoft Power BI", "Microsoft"),
            ("Looker", "Google"),
            ("Qlik Sense", "Qlik"),
        ]),
    ]),
    (7, "Collaboration", [
        (701, "Team Messaging", [
            ("Slack", "Salesforce"),
            ("Microsoft Teams", "Microsoft"),
        ]),
        (702, "Video Conferencing", [
            ("Zoom Meetings", "Zoom Video Communications"),
            ("Webex Meetings", "Cisco"),
            ("Google Meet", "Google"),
        ]),
        (703, "Project Management", [
            ("Jira Software", "Atlassian"),
            ("Asana", "Asana"),
            ("Trello", "Atlassian"),
            ("monday work management", "monday.com"),
        ]),
    ]),
    (8, "ERP", [
        (801, "Enterprise Resource Planning", [
            ("SAP S/4HANA", "SAP"),
            ("Oracle NetSuite", "Oracle"),
            ("Microsoft Dynamics 365 Business Central", "Microsoft"),
            ("Workday Financial Management", "Workday"),
        ]),
    ]),
    (9, "Human Resources", [
        (901, "Human Capital Management", [
            ("Workday Human Capital Management", "Workday"),
            ("BambooHR", "BambooHR"),
            ("ADP Workforce Now", "ADP"),
        ]),
        (902, "Recruiting", [
            ("Greenhouse Recruiting", "Greenhouse Software"),
            ("iCIMS Talent Cloud", "iCIMS"),
        ]),
    ]),
    (10, "E-commerce", [
        (1001, "E-commerce Platforms", [
            ("Shopify", "Shopify"),
            ("Adobe Commerce", "Adobe"),
            ("WooCommerce", "Automattic"),
            ("BigCommerce", "BigCommerce"),
        ]),
        (1002, "Payment Processing", [
            ("Stripe Payments", "Stripe"),
            ("PayPal", "PayPal"),
            ("Adyen", "Adyen"),
        ]),
    ]),
    (11, "Content Management", [
        (1101, "Web Content Management", [
            ("WordPress", "Automattic"),
            ("Drupal", "Drupal Association"),
            ("Adobe Experience Manager", "Adobe"),
            ("Contentful", "Contentful"),
            ("Sitecore Experience Platform", "Sitecore"),
        ]),
    ]),
    (12, "Security", [
        (1201, "Identity and Access Management", [
            ("Okta Workforce Identity", "Okta"),
            ("Microsoft Entra ID", "Microsoft"),
            ("PingOne", "Ping Identity"),
        ]),
        (1202, "Endpoint Security", [
            ("CrowdStrike Falcon", "CrowdStrike"),
            ("Microsoft Defender for Endpoint", "Microsoft"),
            ("SentinelOne Singularity", "SentinelOne"),
        ]),
    ]),
    (13, "Databases", [
        (1301, "Relational Databases", [
            ("PostgreSQL", "PostgreSQL Global Development Group"),
            ("MySQL", "Oracle"),
            ("Microsoft SQL Server", "Microsoft"),
            ("Oracle Database", "Oracle"),
        ]),
        (1302, "NoSQL Databases", [
            ("MongoDB", "MongoDB"),
            ("Redis", "Redis"),
            ("Apache Cassandra", "Apache Software Foundation"),
        ]),
    ]),
    (14, "DevOps", [
        (1401, "Source Code Management", [
            ("GitHub", "Microsoft"),
            ("GitLab", "GitLab"),
            ("Bitbucket", "Atlassian"),
        ]),
        (1402, "Application Monitoring", [
            ("Datadog", "Datadog"),
            ("New Relic", "New Relic"),
            ("Splunk Observability Cloud", "Cisco"),
        ]),
    ]),
]  # fmt: skip

RESULT_COLUMNS = (
    "companyId",
    "categoryId",
    "categoryName",
    "subCategoryId",
    "subCategoryName",
    "productId",
    "productName",
    "vendorName",
    "status",
    "errorMessage",
)

MIN_PRODUCTS = 3
MAX_PRODUCTS = 12

# One company id in this many is unknown to the simulated data set.
UNKNOWN_COMPANY_RATE = 40

NOT_FOUND_MESSAGE = "Company not found."


class Product(NamedTuple):
    category_id: int
    category_name: str
    sub_category_id: int
    sub_category_name: str
    product_id: int
    product_name: str
    vendor_name: str


def _build_products():
    products = []
    for category_id, category_name, sub_categories in _CATALOGUE:
        for sub_category_id, sub_category_name, entries in sub_categories:
            for position, (product_name, vendor_name) in enumerate(entries, start=1):
                product = Product(
                    category_id,
                    category_name,
                    sub_category_id,
                    sub_category_name,
                    sub_category_id * 100 + position,
                    product_name,
                    vendor_name,
                )
                products.append(product)
    return tuple(products)


PRODUCTS = _build_products()


def is_valid_company_id(company_id):
    """Return whether an InsideView company id is well formed: ASCII digits only."""
    return company_id.isascii() and company_id.isdigit()


def _digest_numbers(company_id, count):
    """Return `count` stable 32-bit numbers derived from the company id."""
    seed = f"insideview-simulator:techProfile:{company_id}".encode()
    digest = hashlib.shake_256(seed).digest(4 * count)
    return [int.from_bytes(digest[i : i + 4], "big") for i in range(0, len(digest), 4)]


@functools.lru_cache(maxsize=65536)
def installed_products(company_id):
    """Return the products installed at a company, or None when it is unknown.

    Only ids made of ASCII digits can be known. Products come sorted by product id.
    """
    if not is_valid_company_id(company_id):
        return None

    numbers = _digest_numbers(company_id, 2 + MAX_PRODUCTS)
    if numbers[0] % UNKNOWN_COMPANY_RATE == 0:
        return None
    count = MIN_PRODUCTS + numbers[1] % (MAX_PRODUCTS - MIN_PRODUCTS + 1)

    # A partial Fisher-Yates shuffle driven by the digest picks `count` distinct
    # products.
    pool = list(PRODUCTS)
    for i in range(count):
        j = i + numbers[2 + i] % (len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return tuple(sorted(pool[:count], key=lambda product: product.product_id))


def tech_profile(company_id):
    """Return the results-file rows for one company id, as dicts keyed by column.

    A known company gets one "found" row per installed product. An unknown one gets
    a single "notFound" row with empty technology fields.
    """
    products = installed_products(company_id)
    if products is None:
        row = dict.fromkeys(RESULT_COLUMNS, "")
        row.update(
            companyId=company_id, status="notFound", errorMessage=NOT_FOUND_MESSAGE
        )
        return [row]

    return [
        {
            "companyId": company_id,
            "categoryId": str(product.category_id),
            "categoryName": product.category_name,
            "subCategoryId": str(product.sub_category_id),
            "subCategoryName": product.sub_category_name,
            "productId": str(product.product_id),
            "productName": product.product_name,
            "vendorName": product.vendor_name,
            "status": "found",
            "errorMessage": "",
        }
        for product in products
    ]
