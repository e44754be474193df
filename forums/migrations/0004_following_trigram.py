from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, for the close spellings a search that finds nothing suggests (a no-op on SQLite)."""

    dependencies = [("forums", "0003_sanitised_html_field")]

    operations = [TrigramExtension()]
