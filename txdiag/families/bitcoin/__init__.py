"""The bitcoin family: chains that speak Bitcoin Core's JSON-RPC (Bitcoin, Litecoin, their test networks).

wire.py    node JSON -> typed values (amounts in satoshis, exact)
dialect.py how its nodes speak on the RPC seam: getblockcount heads, getblockchaininfo identity, always batched
fees.py    projected blocks, replacement (BIP125) and CPFP fees: pure maths
rules.py   evidence -> findings (pure, clock passed in)
words.py   the family's catalogs, en and zh-CN
gather.py  the RPC round trips, through the shared client
report.py  the family's part of a Diagnosis (JSON and text)
"""
