"""Bank-feed services: connect (feed_connect), sync (feed_sync), identity linking (linking),
reconciliation against QBO records (reconcile)."""
