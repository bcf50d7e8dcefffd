"""A small reconciled estate for the store tests' child processes."""

from tests.builders import ago, csv_file, run


def result():
    rows = [{"Name": "keep", "Serial Number": "K1", "Last Contact": ago(3), "Licenses": "L (2)"}]
    return run(csv_file("i.csv", rows), csv_file("lic.csv", [{"License": "L", "Purchased": 5, "In Use": 2}]))
