"""Shtrih-M (ШТРИХ-М) registers: link framing, command table, error table and the driver.

See ``spec/shtrih-m.md``: §1 link layer, §2 answers and errors, §4 commands of an FFD 1.2 sale.
"""
