# lexbot — русские тексты. Каждый ключ должен быть и в en.ftl, и использоваться кодом.

## Знакомство

onboarding-welcome = 👋 Добро пожаловать в lexbot! Я подбираю партнёра для языкового обмена: человека, который говорит на языке, который вы учите, и учит ваш язык. Сначала несколько вопросов — это займёт около двух минут. В любой момент можно отправить /cancel и продолжить позже через /start.
onboarding-progress = Шаг { $step } из { $steps } · заполнено { $percent }%
onboarding-already-started = Вы уже заполняете профиль — продолжим.
onboarding-done = 🎉 Готово! Профиль заполнен. Посмотреть его можно через /profile, а /help покажет всё, что я умею.
start-already-registered = С возвращением! Ваш профиль заполнен. /profile покажет и изменит его, /help — список всего, что я умею.
resume-offer = Вы уже начинали заполнять профиль (заполнено { $percent }%). Продолжить с того же места?
summary-intro = Почти готово ({ $percent }%). Вот ваш профиль — подтвердите его или нажмите на поле, чтобы изменить.

ask-interface-language = На каком языке мне с вами общаться?
ask-native-languages = Какой язык (или языки) для вас родной? Выберите { $max ->
        [one] { $max } язык
        [few] до { $max } языков
       *[other] до { $max } языков
    } и нажмите «Готово». Нет в списке? Напишите название языка или его двухбуквенный код (например, «uk» или «украинский»).
ask-target-languages = Какие языки вы хотите практиковать? Выберите { $max ->
        [one] { $max } язык
        [few] до { $max } языков
       *[other] до { $max } языков
    } и нажмите «Готово» или напишите их (например, «es, de»).
ask-target-level = Какой у вас уровень языка «{ $language }»? A1 — начальный, C2 — почти как у носителя. Не уверены? Выберите тест на уровень.
level-placement-test = Не знаю — пройти тест
ask-interests = О чём вам интересно говорить? Выберите не больше { $max } и нажмите «Готово».
ask-timezone = В каком вы часовом поясе? Напишите свой город («Москва»), часовой пояс («Europe/Moscow») или смещение от UTC («UTC+3»).
timezone-current = 🕒 { $timezone } — сейчас там { $time }.
ask-availability = Когда вам обычно удобно заниматься (по вашему местному времени)? Утро — 6–12, день — 12–18, вечер — 18–24, ночь — 0–6. Отметьте всё подходящее и нажмите «Готово».
ask-practice-styles = Как вам удобнее практиковаться? Отметьте всё подходящее и нажмите «Готово».
ask-bio = Расскажите будущему партнёру немного о себе — не больше { $max } символов. Или пропустите этот шаг.

button-done = ✅ Готово
button-skip = Пропустить
button-confirm = ✅ Подтвердить
button-continue = Продолжить
button-start-over = Начать заново

slot-weekday-morning = Будни, утро
slot-weekday-afternoon = Будни, день
slot-weekday-evening = Будни, вечер
slot-weekday-night = Будни, ночь
slot-weekend-morning = Выходные, утро
slot-weekend-afternoon = Выходные, день
slot-weekend-evening = Выходные, вечер
slot-weekend-night = Выходные, ночь

style-text = ✍️ Переписка
style-voice = 🎙 Голосовые сообщения и звонки
style-video = 📹 Видеозвонки

## Профиль

profile-card =
    🌐 Язык интерфейса: { $interface }
    🗣 Родные языки: { $native }
    🎯 Изучаю: { $targets }
    ❤️ Интересы: { $interests }
    🕒 Часовой пояс: { $timezone }
    📅 Свободное время: { $availability }
    💬 Формат: { $styles }
    📝 О себе: { $bio }
    🔎 Подбор партнёра: { $matching }
card-unanswered = —
card-level-unanswered = уровень не указан
card-level-placement = тест на уровень
card-bio-skipped = (пропущено)
card-matching-active = включён
card-matching-paused = на паузе
profile-intro = Ваш профиль. Нажмите на поле, чтобы его изменить.
profile-incomplete = Профиль ещё не заполнен. Отправьте /start, чтобы закончить.
profile-saved = ✅ Сохранено.
edit-interface-language = ✏️ Язык интерфейса
edit-native-languages = ✏️ Родные языки
edit-target-languages = ✏️ Изучаемые языки
edit-levels = ✏️ Уровни
edit-interests = ✏️ Интересы
edit-timezone = ✏️ Часовой пояс
edit-availability = ✏️ Свободное время
edit-practice-styles = ✏️ Формат практики
edit-bio = ✏️ О себе

## Настройки

pause-done = ⏸ Подбор партнёров приостановлен: я не буду предлагать партнёров, пока вы не отправите /resume.
pause-already = Подбор уже на паузе. /resume включит его снова.
resume-done = ▶️ Подбор партнёров снова включён.
resume-already = Подбор партнёров уже включён.

delete-confirm = ⚠️ Это навсегда удалит ваш профиль, настройки и нашу переписку. Удалить всё?
button-delete-yes = Да, удалить всё
button-delete-no = Нет, оставить
delete-done = Ваши данные удалены. До свидания! Если захотите вернуться, отправьте /start.
delete-cancelled = Удаление отменено. Ничего не изменилось.

export-ready = 📦 Вот всё, что я храню о вас, в формате JSON.

## Помощь и подсказки

help-commands =
    Вот что я умею:
    /start — заполнить профиль
    /profile — посмотреть и изменить профиль
    /language — сменить язык интерфейса
    /pause — временно не предлагать партнёров
    /resume — снова предлагать партнёров
    /export — получить свои данные в файле JSON
    /delete_me — удалить всё, что я о вас храню
    /courses — короткие ежедневные курсы
    /enroll — записаться на курс
    /done — отметить текущий шаг курса выполненным
    /skip — пропустить текущий шаг курса
    /progress — ваш курс, серия и результаты
    /placement — тест на уровень по изучаемому языку
    /reminders — напоминания о практике и тихие часы
    /cancel — выйти из текущего вопроса
    /help — этот список
help-in-flow = Сейчас открыт вопрос: ответьте на него или отправьте /cancel, чтобы выйти.
cancel-onboarding = Хорошо, остановимся здесь. Ответы сохранены: отправьте /start, чтобы продолжить.
cancel-edit = Отменено. Профиль не изменился.
cancel-nothing = Отменять нечего. /help покажет, что я умею.
finish-or-cancel = Давайте сначала закончим — ответьте на вопрос ниже или отправьте /cancel.
unknown-command = Я не знаю команду /{ $command }. /help покажет те, что я знаю.
stale-button = Эта кнопка из старого сообщения и больше не работает. Вот где мы сейчас:
idle-hint = Не понял вас. /help покажет, что я умею.
idle-hint-new = Привет! Отправьте /start, чтобы заполнить профиль и найти партнёра для практики.
idle-hint-suspended = У вас есть незаконченный профиль. Отправьте /start, чтобы продолжить.
welcome-new = Привет! Отправьте /start, чтобы заполнить профиль и найти партнёра для практики.
welcome-back = С возвращением! /profile покажет ваш профиль, /help — что я умею.
welcome-suspended = С возвращением! Профиль ещё не заполнен до конца — отправьте /start, чтобы продолжить.
expired-onboarding = Прошло много времени, поэтому я приостановил заполнение профиля. Отправьте /start, чтобы продолжить.
expired-flow = Прошло много времени, поэтому я закрыл последний вопрос.

## Ошибки

error-unknown-language = Я не знаю язык «{ $input }». Напишите название языка или его двухбуквенный код ISO 639-1, например «en», «es» или «de».
error-already-native = { $language } — ваш родной язык. Выберите язык, который вы изучаете.
error-too-many = Можно выбрать не больше { $max }. Сначала уберите один из вариантов.
error-pick-at-least-one = Сначала выберите хотя бы один вариант.
error-use-buttons = Пожалуйста, ответьте кнопками ниже.
error-unknown-timezone = Не нашёл часовой пояс для «{ $input }». Попробуйте крупный город рядом («Москва»), часовой пояс («Europe/Moscow») или смещение («UTC+3»).
error-offset-out-of-range = «{ $input }» — такого смещения от UTC не бывает. Смещения бывают от UTC-12 до UTC+14.
error-bio-empty = Сообщение пустое. Напишите пару слов или нажмите «Пропустить».
error-bio-too-long = Здесь { $length } { $length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а помещается не больше { $max }. Сократите, пожалуйста.
error-unsupported-message = Здесь я понимаю только текст и кнопки.
error-internal = У меня что-то пошло не так. Попробуйте ещё раз чуть позже.
error-state-reset = Не удалось восстановить наш последний разговор, поэтому начнём заново. Ваш профиль в порядке.

# A command sent in a group chat: lexbot talks one to one.
group-private-only = Я общаюсь только лично. Напишите мне в личные сообщения: { $link }

## Reminders

reminders-intro = ⏰ Ваши напоминания о практике (время по { $timezone }):
reminders-none = Напоминаний пока нет.
reminders-line = • { $time } — { $days }
reminders-quiet = 🌙 Тихие часы: { $hours }. В это время я не присылаю напоминаний, уроков и приглашений.
reminders-quiet-off = 🌙 Тихие часы: выключены.
quiet-hours-none = нет
button-reminder-add = ➕ Добавить напоминание
button-reminder-remove = 🗑 { $time } { $days }
button-quiet-hours = 🌙 Тихие часы
button-quiet-default = По умолчанию ({ $hours })
button-quiet-off = Без тихих часов
reminders-ask-time = Во сколько вам напоминать? Напишите время, например 08:30, — по вашему времени ({ $timezone }).
reminders-ask-days = В какие дни в { $time }? Нажмите, чтобы изменить, затем «Готово».
reminders-added = ✅ Напоминание на { $time }, { $days }. Следующее: { $next }.
reminders-removed = 🗑 Напоминание удалено.
reminders-limit = У вас уже { $max } { $max ->
        [one] напоминание
        [few] напоминания
       *[other] напоминаний
    } — больше я не храню. Сначала удалите одно.
reminders-ask-quiet = В тихие часы я не присылаю ничего, о чём вы не просили; всё, что выпадает на них, ждёт их окончания. Отправьте их так: 22:00-08:00 — или нажмите кнопку.
reminders-quiet-saved = ✅ Тихие часы сохранены.
reminder-due = ⏰ Пора позаниматься! Несколько минут сегодня — и серия продолжается.
cancel-reminders = Отменено. Напоминания не изменились.
error-bad-time = «{ $input }» — не похоже на время. Напишите, например, 08:30 или 19:00.
error-time-in-quiet-hours = { $time } попадает в ваши тихие часы ({ $hours }), когда я ничего не присылаю. Выберите другое время или измените тихие часы в /reminders.
error-bad-quiet-hours = «{ $input }» — не похоже на промежуток времени. Отправьте его так: 22:00-08:00.
days-every-day = каждый день
days-workdays = пн–пт
weekday-mon = Пн
weekday-tue = Вт
weekday-wed = Ср
weekday-thu = Чт
weekday-fri = Пт
weekday-sat = Сб
weekday-sun = Вс

## Courses

courses-intro = 📚 Курсы: несколько коротких заданий в день — для практики с партнёром или самостоятельно.
courses-line = { $title } (дней: { $days }) — { $description }
courses-current = Вы на дне { $day } из { $days } курса «{ $title }».
button-course-pick = 📚 { $title }
error-unknown-course = Курса «{ $input }» у меня нет. Вот какие есть:
course-already = Вы уже проходите «{ $title }». Вот где вы сейчас:
course-switch-confirm = Вы на дне { $day } из { $days } курса «{ $current }». Перейти на «{ $title }»? Прогресс в текущем курсе пропадёт.
button-course-switch = Перейти
button-course-keep = Остаться на «{ $title }»
course-kept = Хорошо, остаёмся на текущем курсе.
course-ask-language = Какой язык вы хотите практиковать на курсе «{ $title }»?
course-ask-time = Во сколько присылать задания на день? Напишите время, например 08:30 (по вашему времени, { $timezone }), или нажмите кнопку.
course-enrolled = 🎉 Вы записались на «{ $title }». День 1 — ниже; следующие дни будут приходить в { $time }.
course-day-header = 📚 { $title } — день { $day } из { $days }: { $topic }
course-step = Шаг { $step } из { $steps }: { $task }
course-words = 📖 Полезные слова:
course-word = • { $word } — { $meaning }
button-step-done = ✅ Готово
button-step-skip = ⏭ Пропустить
course-step-done = ✅ Отлично!
course-step-skipped = ⏭ Пропущено.
course-day-complete = 🎉 День { $day } пройден. Следующий придёт: { $next }.
course-finished = 🏁 Курс «{ $title }» пройден: выполнено шагов — { $done }, пропущено — { $skipped }. В /courses есть и другие.
course-day-waiting = Все задания на сегодня выполнены. Следующий день придёт: { $next }.
course-pending = 📚 День { $day } всё ещё ждёт вас. Вот где вы остановились:
course-none = Вы сейчас не проходите курс. Список — в /courses.
course-gone = Этого курса больше нет. Актуальные — в /courses.
cancel-enroll = Отменено. Ничего не изменилось.

## Progress

progress-intro = 📈 Ваш прогресс
progress-course = 📚 «{ $title }»: день { $day } из { $days }, сегодня шагов: { $today } из { $steps }; всего выполнено — { $done }, пропущено — { $skipped }.
progress-no-course = 📚 Курс не выбран. Список — в /courses.
progress-course-finished = 🏁 Курс «{ $title }» пройден { $date }.

## Exams

exam-intro = 📝 { $title }: { $questions } { $questions ->
        [one] вопрос
        [few] вопроса
       *[other] вопросов
    }, { $minutes } { $minutes ->
        [one] минута
        [few] минуты
       *[other] минут
    }. Ответ нельзя изменить после отправки. /cancel прерывает тест.
step-exam-intro = Этот шаг завершается короткой проверкой.
exam-question = 📝 { $title } — вопрос { $number } из { $count } · ⏱ осталось { $minutes } мин
exam-hint-single = Выберите один ответ.
exam-hint-multiple = Выберите все верные ответы, затем «Готово».
exam-hint-ordering = Нажимайте части в правильном порядке.
exam-order-so-far = Пока так: { $sequence }
button-exam-reset = ↩ Начать этот вопрос заново
exam-hint-text = Напишите ответ.
exam-ended = Этот тест уже завершён. Результаты — в /progress.
exam-already-answered = На этот вопрос вы уже ответили, а ответы менять нельзя. Вот текущий вопрос:
exam-right = ✅ Верно!
exam-wrong = ❌ Не совсем. { $explanation }
exam-cancelled = Тест остановлен, результат не записан.
exam-abandoned = Тест закрыт: { $minutes } мин без ответа. Результат не записан. Начать заново можно в любой момент.
exam-time-up = ⏰ Время вышло! Вопросы без ответа считаются неверными.
exam-result = 📊 { $title }: верно { $correct } из { $total }.
placement-level-line = { $level }: { $correct } из { $total }
step-exam-passed = 🎉 Пройдено — шаг выполнен.
step-exam-failed = Пока не пройдено: нужно { $percent }%. /done — попробовать ещё раз, /skip — идти дальше.
placement-propose = Похоже, ваш уровень { $language } — { $level }. Указать его в профиле? По нему подбираются партнёры.
button-placement-accept = ✅ Указать { $level }
button-placement-keep = Оставить { $level }
placement-level-set = ✅ Ваш уровень ({ $language }) теперь { $level }.
placement-level-kept = Профиль не изменился.
placement-not-learning = Вы больше не изучаете { $language }, так что уровень указывать не для чего.
exam-already-active = Вы уже проходите «{ $title }». Сначала закончите его или остановите командой /cancel в том чате, где он идёт.
placement-ask-language = По какому языку пройти тест на уровень?
placement-none = Теста на уровень для языка «{ $language }» пока нет.
error-not-learning = «{ $input }» нет среди изучаемых вами языков. Они перечислены в /profile.

progress-no-exams = 📝 Тестов пока не было. /placement проверит ваш уровень.
progress-exams = 📝 Последние тесты:
progress-exam-line = • { $date } { $title }: { $correct }/{ $total } — { $outcome }
progress-exam-level = уровень { $level }
progress-exam-passed = пройден
progress-exam-failed = не пройден
progress-exam-cancelled = остановлен
progress-exam-abandoned = закрыт без ответа

## Streaks and nudges

streak-none = 🔥 Серии пока нет: выполните шаг курса или пройдите тест сегодня, чтобы начать её.
streak-line = 🔥 Серия: { $days } { $days ->
        [one] день
        [few] дня
       *[other] дней
    } (лучшая — { $best }). { $freeze }
streak-freeze-ready = Заморозка недели: готова — один пропущенный на этой неделе день серию не прервёт.
streak-freeze-used = Заморозка недели: уже использована.
reengage-first = 👋 Прошло несколько дней! Может, немного попрактикуемся сегодня?
reengage-second = 👋 Неделя без практики — языки скучают по вам.
reengage-third = 👋 Уже две недели. Чтобы снова втянуться, хватит одного маленького шага.
reengage-last = 👋 Прошёл месяц. Это моё последнее напоминание; я здесь, когда захотите вернуться.
reengage-course = 📚 Вас ждёт день { $day } курса «{ $title }»: когда выполните шаг, отправьте /done.
reengage-placement = 📝 Не уверены в своём уровне? /placement определит его за несколько минут.
reengage-courses = 📚 В /courses есть короткие ежедневные задания, чтобы не терять темп.
