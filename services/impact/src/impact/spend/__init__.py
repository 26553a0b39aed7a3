"""Council spend: files and ERP pushes in, reconciled lines and summaries out."""
