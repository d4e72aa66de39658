"""An agent with every worker busy spends nothing on the store between
events: each finished event wakes its loop, which looks for due events
once, without asking when the next one falls due."""


def test_a_busy_agent_does_not_ask_when_the_next_event_is_due(
        world, monkeypatch):
    agent = world.agent()
    asked = []
    read = world.store.next_due_time

    def next_due_time(context):
        asked.append(True)
        return read(context)

    monkeypatch.setattr(world.store, 'next_due_time', next_due_time)

    agent._running = dict.fromkeys(range(world.conf.agent.workers))
    agent._wake.set()                 # a worker finished
    agent._sleep_until_due(None)
    assert asked == []

    agent._running = {}
    agent._wake.set()
    agent._sleep_until_due(None)
    assert asked == [True]
