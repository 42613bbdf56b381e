"""The Telegram channel: Bot API updates in, our ``InboundMessage``; ``OutboundMessage`` out.

python-telegram-bot is the Bot API client and the ``Update`` parser only; its
``ConversationHandler`` and persistence are not used (state lives in the database).
Map: ``webhook`` and ``polling`` receive updates, ``parse`` reads one, ``updates`` runs it
(downloads, case look-ups, the turn), ``sender`` and ``limits`` send within the budgets,
``render`` splits texts and draws keyboards, ``texts`` holds this adapter's own wording.
"""
