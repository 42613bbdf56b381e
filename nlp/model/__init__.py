"""Trained artefacts (classifier.bin, base_dict.txt.gz); a package so that setuptools ships
them with the *.bin / *.gz package-data patterns of pyproject.toml. See README.md here."""
