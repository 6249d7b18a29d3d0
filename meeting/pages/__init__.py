"""The page machinery every area's views share.

Who is asking (`access`), drawing a meeting's regions for a viewer (`regions`), keeping
what someone typed when a form is refused (`forms`), and the doorbell that tells open
pages what changed (`doorbell`).
"""
