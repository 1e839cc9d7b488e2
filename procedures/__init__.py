"""The procedure domain: recipe model, expression language, loader and guardrails.

Pure Python: imports neither aiohttp nor SQLAlchemy, so a headset client can validate offline.
"""
