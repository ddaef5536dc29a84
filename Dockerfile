# The app in a container: docker build -t optimizer-race . && docker run -p 8501:8501 optimizer-race
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
    && useradd --create-home --uid 10001 race

COPY --chown=10001:10001 . .
USER 10001
# plotly.js into static/, where Streamlit serves it to the race view (the app would copy
# it at start-up; done here, the image starts ready and its files can stay read-only)
RUN python -c "from app_pages.race_view import install_plotly_js as install; assert install() is None"

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
