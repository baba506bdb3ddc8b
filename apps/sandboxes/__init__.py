"""Tools beside the product (DESIGN §2 layer 5): local stand-ins for QuickBooks Online and Plaid.

Product code never imports this package; it reaches a sandbox over HTTP only, exactly as it
reaches Intuit and Plaid (an import-linter contract in pyproject.toml says so). Tests, drills,
benchmarks and the tool-layer `apps.demo` may import it.
"""
