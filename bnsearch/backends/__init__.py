"""Other engines under bnsearch's analysis, query handling and faces:
OpenSearch (:mod:`.opensearch`), for collections past one machine."""
