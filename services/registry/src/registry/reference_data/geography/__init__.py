"""ONS postcode centroids and local authorities (OGL v3; see SOURCE.txt)."""
