"""The command line (typer): thin commands that call the rooms; heavy imports happen inside them."""
