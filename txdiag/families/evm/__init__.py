"""The EVM family: chains that speak Ethereum's JSON-RPC (Ethereum, its rollups, BSC, Polygon, Avalanche C-Chain).

wire.py       node JSON -> typed values; the only place that reads ``"0x1"``
dialect.py    how its nodes speak on the RPC seam: eth_blockNumber and latest-block heads, eth_chainId
snapshot.py   chain-wide conditions (head, finality, fee history, pool), shared per block time
probes/       round 1's lookup and round 2's probes: each adds calls to a typed plan and reads a typed result
verify.py     the checks an answer must pass before it becomes evidence
gather.py     the RPC round trips, through the shared client: find, investigate, look back
transfers.py  what a transaction addressed and what its logs moved (pure)
revert.py     revert data -> a reason (Error, Panic, well-known custom errors); loaded for a failure only
classify/     evidence -> findings (pure, clock passed in)
report.py     the family's part of a Diagnosis (JSON and text)
data/         the bundled list of well-known burn addresses

Its words are the shared catalogs in ``txdiag.guidance``.
"""
