"""The image and code domain of traceability: GS1 data, barcode decoding, printable labels.

Pure Python over zxing-cpp, OpenCV, biip, qrcode and reportlab: no HTTP, no database. The
functions are CPU-bound and synchronous; the server calls them through its thread helper.
"""
