import socket, threading, time, pytest
pytestmark = pytest.mark.django_db

@pytest.fixture
def silent_server():
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(8)
    conns=[]
    stop=threading.Event()
    def run():
        srv.settimeout(0.2)
        while not stop.is_set():
            try: c,_=srv.accept(); conns.append(c)
            except OSError: pass
    t=threading.Thread(target=run, daemon=True); t.start()
    yield srv.getsockname()[1]
    stop.set(); t.join(); srv.close(); [c.close() for c in conns]

@pytest.mark.parametrize("opts", ["fs", "redis"])
def test_h(client, silent_server, opts):
    from config.celery import app
    old=(app.conf.broker_url, app.conf.broker_transport_options)
    for url in ["redis://127.0.0.1:1/0", f"redis://127.0.0.1:{silent_server}/0"]:
        app.conf.broker_url=url
        if opts=="redis": app.conf.broker_transport_options={'socket_timeout': 2, 'socket_connect_timeout': 2, 'max_retries': 1}
        t=time.monotonic(); r=client.get("/healthz"); print(opts, url, r.status_code, r.json(), time.monotonic()-t)
    app.conf.broker_url, app.conf.broker_transport_options = old
