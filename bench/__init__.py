"""A benchmark of the live loop: real Socket.IO clients and HTTP doing what the pages do.

`python -m bench` measures the product and a bare Flask-SocketIO relay in the same run;
see bench/README.md.
"""
