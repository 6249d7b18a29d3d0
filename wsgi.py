from meeting import create_app

app = create_app()
