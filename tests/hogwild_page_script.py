"""A page with the Workers page's Hogwild! section alone (tests/test_hogwild.py's
AppTest and the browser test start it)."""

from app_pages import workers_hogwild

workers_hogwild.section()
