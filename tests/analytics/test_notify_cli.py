"""``veilleur notify test|deliver|log|requeue`` as a user runs them (CliRunner, embedded SQLite, loopback receiver)."""
from __future__ import annotations

from typer.testing import CliRunner

from tests.analytics.notify_support import Receiver
from veilleur.cli.main import app

runner = CliRunner()


def _config(tmp_path, url: str):
    path = tmp_path / "veilleur.toml"
    path.write_text(f'data_dir = "data"\n[[notify.channels]]\nname = "chat"\nkind = "slack"\nurl = "{url}"\n'
                    '[notify.retry]\nmax_attempts = 1\n', encoding="utf-8")
    assert runner.invoke(app, ["init", "--config", str(path)]).exit_code == 0
    return str(path)


def test_notify_test_sends_and_logs(tmp_path):
    receiver = Receiver().start()
    try:
        config = _config(tmp_path, receiver.url)
        result = runner.invoke(app, ["notify", "test", "chat", "--config", config])
    finally:
        receiver.stop()
    assert result.exit_code == 0, result.output
    assert "test message sent through chat" in result.output and len(receiver.requests) == 1
    log = runner.invoke(app, ["notify", "log", "--config", config])
    assert log.exit_code == 0 and "chat" in log.output and "sent" in log.output and "1 sent" in log.output
    unknown = runner.invoke(app, ["notify", "test", "nope", "--config", config])
    assert unknown.exit_code == 2 and "unknown channel 'nope'" in unknown.output


def test_notify_test_to_a_stopped_receiver_fails_then_requeue_and_deliver(tmp_path):
    receiver = Receiver().start()
    receiver.stop()
    config = _config(tmp_path, receiver.url)
    result = runner.invoke(app, ["notify", "test", "chat", "--config", config])
    assert result.exit_code == 1 and "not sent" in result.output and "ConnectError" in result.output
    assert "1 dead" in runner.invoke(app, ["notify", "log", "--config", config]).output
    assert "1 dead deliveries queued again" in runner.invoke(app, ["notify", "requeue", "--config", config]).output
    receiver.start()
    try:
        delivered = runner.invoke(app, ["notify", "deliver", "--config", config])
    finally:
        receiver.stop()
    assert delivered.exit_code == 0 and "1 sent, 0 failed" in delivered.output and len(receiver.requests) == 1
