"""Message catalogs, one module per verdict class; each defines EN and ZH (zh-CN)."""
