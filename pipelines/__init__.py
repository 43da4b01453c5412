"""The pipeline core: the canonical inventory contract, Debezium decoding, and (later) the normalizer runtime.

Nothing here imports another top-level package of this project; adapters, warehouse and the composition root
import from here.
"""
