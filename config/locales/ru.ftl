# lexbot — русские тексты. Каждый ключ должен быть и в en.ftl, и использоваться кодом.
# Число рядом с существительным всегда идёт через выбор формы ([one] / [few] / *[other]);
# тест в bot-core/src/i18n.rs следит за этим.

## Знакомство

onboarding-welcome = 👋 Добро пожаловать в lexbot! Я подбираю партнёра для языкового обмена — человека, который говорит на изучаемом вами языке и учит ваш. Сначала несколько вопросов — это займёт минуты две. Прерваться можно в любой момент командой /cancel, а продолжить — командой /start.
onboarding-progress = Шаг { $step } из { $steps } · заполнено { $percent }%
onboarding-editing = Меняем один ответ, а потом вернёмся к проверке профиля.
onboarding-already-started = Вы уже заполняете профиль — продолжим.
onboarding-done = 🎉 Готово, профиль заполнен! Посмотреть его можно командой /profile, а /help покажет всё, что я умею.
onboarding-next = Что дальше: /find подберёт партнёра для практики, /courses покажет короткие ежедневные курсы.
start-already-registered = С возвращением! Профиль у вас уже заполнен: /profile покажет его и позволит изменить, /help — всё, что я умею.
resume-offer = Вы уже начинали заполнять профиль (заполнено { $percent }%). Продолжим с того же места?
summary-intro = Почти готово ({ $percent }%). Вот ваш профиль: подтвердите его или нажмите на поле, которое хотите изменить.

ask-interface-language = На каком языке мне с вами общаться?
ask-native-languages = Какой язык для вас родной? { $max ->
        [1] Выберите его
       *[other] Если их несколько, отметьте все, но не больше { $max } { $max ->
            [one] языка
           *[other] языков
        },
    } и нажмите «Готово». Нет в списке? Напишите название языка или его двухбуквенный код (например, «украинский» или «uk»).
ask-target-languages = Какие языки вы хотите практиковать? Отметьте { $max ->
        [1] один язык
       *[other] до { $max } { $max ->
            [one] языка
           *[other] языков
        }
    } и нажмите «Готово» — или напишите их через запятую (например, «es, de»).
ask-target-level = Какой у вас уровень { $language-genitive }? A1 — начальный, C2 — почти как у носителя. Не уверены — пройдите тест на уровень.
level-placement-test = Не знаю — пройти тест
ask-target-level-no-test = Какой у вас уровень { $language-genitive }? A1 — начальный, C2 — почти как у носителя. Теста на уровень для { $language-genitive } пока нет, поэтому выберите уровень сами кнопками ниже.
onboarding-placement-later = 📝 Хорошо: тест на уровень { $language-genitive } начнётся сразу после того, как вы подтвердите профиль, и его результат станет вашим уровнем.
ask-interests = О чём вам интересно поговорить? Выберите { $max ->
        [1] одну тему
       *[other] до { $max } { $max ->
            [one] темы
           *[other] тем
        }
    } и нажмите «Готово».
ask-timezone = В каком вы часовом поясе? Напишите свой город («Москва»), название пояса («Europe/Moscow») или разницу с UTC («UTC+3»).
timezone-current = 🕒 { $timezone } — сейчас там { $time }.
timezone-fixed-offset = ⚠️ { $timezone } — постоянная разница с UTC: она не учитывает переход на летнее и зимнее время. Если у вас весной и осенью переводят часы, напоминания и встречи полгода будут сдвинуты на час.
timezone-fixed-offset-cities = Вы живёте в одном из этих городов? Выберите его, и я буду учитывать перевод часов. Или оставьте { $timezone }.
timezone-fixed-offset-type-city = Если у вас переводят часы, лучше напишите свой город. Или оставьте { $timezone }.
button-keep-timezone = Оставить { $timezone }
ask-availability = Когда вам обычно удобно заниматься (по местному времени)? Утро — 6–12, день — 12–18, вечер — 18–24, ночь — 0–6. Отметьте все подходящие варианты и нажмите «Готово».
ask-practice-styles = Как вам удобнее практиковаться? Отметьте все подходящие варианты и нажмите «Готово».
ask-bio = Расскажите будущему партнёру немного о себе — не больше { $max } { $max ->
        [one] символа
       *[other] символов
    }. Или пропустите этот шаг.

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
    💬 Формат практики: { $styles }
    📝 О себе: { $bio }
card-unanswered = —
card-level-unanswered = уровень не указан
card-level-placement = тест на уровень
card-bio-skipped = (пропущено)
profile-matching-not-started = 🔎 Подбор партнёра: вы ещё не ищете партнёра. Отправьте /find, чтобы встать в очередь.
profile-matching-waiting = 🔎 Подбор партнёра: вы в очереди; предложу партнёра, как только найду подходящего.
profile-matching-proposed = 🔎 Подбор партнёра: вам предложен партнёр, он ждёт вашего ответа. /find покажет его.
profile-matching-partnered = 🔎 Подбор партнёра: у вас есть партнёр по практике. /partner покажет его.
profile-matching-paused = 🔎 Подбор партнёра: на паузе. /resume снова его включит.
profile-intro = Ваш профиль. Нажмите на поле, чтобы его изменить.
profile-incomplete = Профиль ещё не заполнен. Отправьте /start, чтобы закончить.
profile-none = У вас ещё нет профиля. Отправьте /start, чтобы его заполнить.
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

pause-done = ⏸ Подбор партнёров приостановлен: новых предложений не будет, пока вы не отправите /resume.
pause-already = Подбор партнёров уже приостановлен. /resume снова его включит.
resume-done = ▶️ Подбор партнёров снова включён.
resume-already = Подбор партнёров и так включён.

delete-confirm = ⚠️ Ваш профиль, настройки и наша переписка будут удалены навсегда. Удалить всё?
button-delete-yes = Да, удалить всё
button-delete-no = Нет, ничего не удалять
delete-done = Ваши данные удалены. До свидания! Если захотите вернуться, отправьте /start.
delete-cancelled = Удаление отменено, ничего не изменилось.

export-ready = 📦 Вот все данные, которые я о вас храню, в формате JSON.

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
    /progress — курс, серия и результаты тестов
    /placement — тест на уровень по изучаемому языку
    /reminders — напоминания о практике и тихие часы
    /find — найти партнёра для практики
    /partner — ваш партнёр по практике
    /reveal — предложить партнёру обменяться контактами
    /end — завершить партнёрство
    /report — пожаловаться на партнёра администраторам
    /block — больше никогда не встречаться с этим партнёром
    /cancel — выйти из текущего вопроса
    /help — этот список
help-in-flow = Сейчас открыт вопрос: ответьте на него или отправьте /cancel, чтобы выйти.
cancel-onboarding = Хорошо, остановимся. Ответы сохранены — чтобы продолжить, отправьте /start.
cancel-edit = Отменено. Профиль не изменился.
cancel-nothing = Отменять нечего. /help покажет, что я умею.
finish-or-cancel = Давайте сначала закончим с этим: ответьте на вопрос ниже или отправьте /cancel.
unknown-command = Я не знаю команды /{ $command }. Список команд — в /help.
stale-button = Эта кнопка из старого сообщения и больше не работает. Вот где мы сейчас:
stale-button-idle = Эта кнопка из старого сообщения и больше не работает. Сейчас я ничего у вас не спрашиваю; /help покажет, что я умею.
idle-hint = Не понял вас. /help покажет, что я умею.
idle-hint-new = Привет! Отправьте /start, чтобы заполнить профиль и найти партнёра для практики.
idle-hint-suspended = У вас есть незаконченный профиль. Отправьте /start, чтобы продолжить.
terminal-greeting = Вы — { $name } в терминальном чате lexbot. Напишите сообщение и нажмите Enter; пока на экране есть кнопки, введите номер кнопки, чтобы нажать её. /quit — выйти (разговор сохранится).
welcome-new = Привет! Отправьте /start, чтобы заполнить профиль и найти партнёра для практики.
welcome-back = С возвращением! /profile покажет ваш профиль, /help — что я умею.
welcome-suspended = С возвращением! Профиль ещё не заполнен до конца — отправьте /start, чтобы продолжить.
expired-onboarding = Вы давно не отвечали, поэтому я приостановил заполнение профиля. Чтобы продолжить, отправьте /start.
expired-flow = Вы давно не отвечали, поэтому я закрыл последний вопрос.

## Ошибки

error-unknown-language = Не знаю такого языка: «{ $input }». Напишите название языка или его двухбуквенный код ISO 639-1, например «en», «es» или «de».
error-already-native = Вы говорите на { $language-prepositional } как на родном. Выберите язык, который изучаете.
error-too-many = Можно выбрать не больше { $max } { $max ->
        [one] варианта
       *[other] вариантов
    }. Сначала снимите отметку с одного из них.
error-pick-at-least-one = Сначала выберите хотя бы один вариант.
error-use-buttons = Пожалуйста, ответьте кнопками ниже.
error-unknown-timezone = Не нашёл часового пояса для «{ $input }». Попробуйте крупный город поблизости («Москва»), название пояса («Europe/Moscow») или разницу с UTC («UTC+3»).
error-offset-out-of-range = Пояса «{ $input }» не существует: разница с UTC бывает от UTC-12 до UTC+14.
error-bio-empty = Сообщение пустое. Напишите пару слов или нажмите «Пропустить».
error-bio-too-long = В тексте { $length } { $length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а помещается не больше { $max }. Сократите его, пожалуйста.
error-unsupported-message = Здесь я понимаю только текст и кнопки.
error-internal = У меня что-то пошло не так. Попробуйте ещё раз чуть позже.
error-state-reset = Не удалось восстановить наш последний разговор, поэтому начнём заново. С вашим профилем всё в порядке.

# A command sent in a group chat: lexbot talks one to one.
group-private-only = Я общаюсь только в личных сообщениях. Напишите мне: { $link }

## Напоминания

reminders-intro = ⏰ Ваши напоминания о практике (время — { $timezone }):
reminders-none = Напоминаний пока нет.
reminders-line = • { $time } — { $weekdays }
reminders-quiet = 🌙 Тихие часы: { $hours }. В это время я не присылаю ни напоминаний, ни уроков, ни приглашений вернуться.
reminders-quiet-off = 🌙 Тихие часы: выключены.
quiet-hours-none = нет
button-reminder-add = ➕ Добавить напоминание
button-reminder-remove = 🗑 { $time } { $weekdays }
button-quiet-hours = 🌙 Тихие часы
button-quiet-default = По умолчанию ({ $hours })
button-quiet-off = Без тихих часов
reminders-ask-time = Во сколько вам напоминать? Напишите время, например 08:30, — по вашему часовому поясу ({ $timezone }).
reminders-ask-days = В какие дни напоминать в { $time }? Нажмите на день, чтобы отметить его или снять отметку, затем «Готово».
reminders-added = ✅ Напоминание поставлено: { $time }, { $weekdays }. Следующее — { $next }.
reminders-removed = 🗑 Напоминание удалено.
reminders-limit = У вас уже { $max } { $max ->
        [one] напоминание
        [few] напоминания
       *[other] напоминаний
    } — больше я не храню. Сначала удалите одно из них.
reminders-ask-quiet = В тихие часы я не присылаю ничего, о чём вы не просили: всё, что придётся на это время, подождёт до их окончания. Напишите их так: 22:00-08:00 — или нажмите кнопку.
reminders-quiet-saved = ✅ Тихие часы сохранены.
reminder-due = ⏰ Пора позаниматься! Несколько минут сегодня — и серия не прервётся.
cancel-reminders = Отменено. Напоминания не изменились.
error-bad-time = «{ $input }» не похоже на время. Напишите, например, 08:30 или 19:00.
error-time-in-quiet-hours = { $time } попадает на ваши тихие часы ({ $hours }), когда я ничего не присылаю. Выберите другое время или измените тихие часы в /reminders.
error-bad-quiet-hours = «{ $input }» не похоже на промежуток времени. Напишите его так: 22:00-08:00.
days-every-day = каждый день
days-workdays = пн–пт
weekday-mon = Пн
weekday-tue = Вт
weekday-wed = Ср
weekday-thu = Чт
weekday-fri = Пт
weekday-sat = Сб
weekday-sun = Вс

## Курсы

courses-intro = 📚 Курсы: несколько коротких заданий в день — для практики с партнёром или самостоятельно.
courses-line = { $title } ({ $days } { $days ->
        [one] день
        [few] дня
       *[other] дней
    }) — { $description }
courses-current = Вы проходите курс «{ $title }»: день { $day } из { $days }.
button-course-pick = 📚 { $title }
error-unknown-course = Курса «{ $input }» у меня нет. Вот какие есть:
course-already = Вы уже проходите «{ $title }». Вот где вы остановились:
course-switch-confirm = Вы проходите «{ $current }» (день { $day } из { $days }). Перейти на «{ $title }»? Прогресс в текущем курсе будет потерян.
button-course-switch = Перейти
button-course-keep = Остаться на «{ $title }»
course-kept = Хорошо, остаёмся на текущем курсе.
course-ask-language = На каком языке вы хотите проходить курс «{ $title }»?
course-ask-time = Во сколько присылать задания на день? Напишите время, например 08:30 (по вашему часовому поясу, { $timezone }), или нажмите кнопку.
course-enrolled = 🎉 Вы записались на курс «{ $title }». Первый день — ниже, следующие будут приходить в { $time }.
course-day-header = 📚 { $title } — день { $day } из { $days }: { $topic }
course-step = Шаг { $step } из { $steps }: { $task }
course-words = 📖 Полезные слова:
course-word = • { $word } — { $meaning }
button-step-done = ✅ Готово
button-step-skip = ⏭ Пропустить
course-step-done = ✅ Отлично!
course-step-skipped = ⏭ Пропущено.
course-day-complete = 🎉 День { $day } пройден. Следующий придёт: { $next }.
course-finished = 🏁 Курс «{ $title }» пройден! { $done ->
        [one] Выполнен { $done } шаг
        [few] Выполнено { $done } шага
       *[other] Выполнено { $done } шагов
    }, { $skipped ->
        [one] пропущен { $skipped }
       *[other] пропущено { $skipped }
    }. В /courses есть и другие курсы.
course-day-waiting = Все задания на сегодня выполнены. Следующий день придёт: { $next }.
course-pending = 📚 День { $day } всё ещё ждёт вас. Вот где вы остановились:
course-none = Сейчас вы не проходите ни одного курса. Список — в /courses.
course-gone = Этого курса больше нет. Актуальный список — в /courses.
cancel-enroll = Отменено. Ничего не изменилось.

## Прогресс

progress-intro = 📈 Ваш прогресс
progress-course = 📚 «{ $title }»: день { $day } из { $days }. Сегодня сделано { $today } из { $steps } { $steps ->
        [one] шага
       *[other] шагов
    }; за весь курс { $done ->
        [one] выполнен { $done } шаг
        [few] выполнено { $done } шага
       *[other] выполнено { $done } шагов
    }, { $skipped ->
        [one] пропущен { $skipped }
       *[other] пропущено { $skipped }
    }.
progress-no-course = 📚 Сейчас вы не проходите курс. Список — в /courses.
progress-course-finished = 🏁 Курс «{ $title }» пройден { $date }.

## Тесты

exam-intro = 📝 { $title }: { $questions } { $questions ->
        [one] вопрос
        [few] вопроса
       *[other] вопросов
    }, на всё { $minutes } { $minutes ->
        [one] минута
        [few] минуты
       *[other] минут
    }. Изменить отправленный ответ нельзя. /cancel прерывает тест.
step-exam-intro = В конце этого шага — небольшая проверка.
exam-question = 📝 { $title } — вопрос { $number } из { $count } · ⏱ { $minutes ->
        [one] осталась { $minutes } минута
        [few] осталось { $minutes } минуты
       *[other] осталось { $minutes } минут
    }
exam-hint-single = Выберите один ответ.
exam-hint-multiple = Отметьте все верные ответы и нажмите «Готово».
exam-hint-ordering = Нажимайте на части в правильном порядке.
exam-order-so-far = Пока так: { $sequence }
button-exam-reset = ↩ Начать этот вопрос заново
exam-hint-text = Напишите ответ.
exam-ended = Этот тест уже завершён. Результаты — в /progress.
exam-already-answered = На этот вопрос вы уже ответили, а ответы менять нельзя. Вот текущий вопрос:
exam-review = ❌ Что стоит повторить:
exam-review-line = • { $prompt }
  { $explanation }
exam-cancelled = Тест остановлен, результат не сохранён.
exam-cancel-confirm = Остановить тест? { $count } { $count ->
        [one] ответ, который вы уже дали, пропадёт
        [few] ответа, которые вы уже дали, пропадут
       *[other] ответов, которые вы уже дали, пропадут
    }, а результат не сохранится.
button-exam-stop = Остановить тест
exam-abandoned = Тест закрыт: { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    } не было ни одного ответа. Результат не сохранён; начать заново можно в любой момент.
exam-time-up = ⏰ Время вышло! Вопросы без ответа засчитаны как неверные.
exam-result = 📊 { $title }: верно { $correct } из { $total }.
placement-level-line = { $level }: { $correct } из { $total }
step-exam-passed = 🎉 Проверка пройдена — шаг выполнен.
step-exam-failed = Пока не получилось: нужно не меньше { $percent }% верных ответов. Посмотрите разбор выше: через { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    } /done даст пройти проверку ещё раз, с другими вопросами; /skip — идти дальше.
step-exam-cooldown = Пройти проверку снова можно будет через { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    }, чтобы не отвечать по памяти. /skip — идти дальше.
placement-propose = Похоже, ваш уровень { $language-genitive } — { $level }. Указать его в профиле? По уровню подбираются партнёры.
button-placement-accept = ✅ Указать { $level }
button-placement-keep = Оставить как есть ({ $level })
placement-level-set = ✅ Готово: теперь в профиле ваш уровень { $language-genitive } — { $level }.
placement-level-kept = Профиль не изменился.
placement-not-learning = Вы больше не изучаете { $language }, так что указывать уровень не нужно.
exam-already-active = Вы уже проходите «{ $title }». Сначала закончите его или остановите командой /cancel в том чате, где он идёт.
placement-ask-language = По какому языку пройти тест на уровень?
placement-none = Для { $language-genitive } теста на уровень пока нет.
placement-starting = Теперь тест на уровень { $language-genitive }: его результат станет вашим уровнем, и по нему будут подбираться партнёры.
placement-pending-kept = Пока вы не пройдёте тест, ваш уровень { $language-genitive } остаётся неизвестным, и партнёры подбираются без него. /placement начнёт тест заново в любой момент.
placement-pending-reminder = 📝 Ваш уровень { $language-genitive } всё ещё не указан, поэтому партнёры подбираются без него. /placement запустит тест (не больше { $minutes } { $minutes ->
        [one] минуты
       *[other] минут
    }).
placement-next-pending = Уровень { $language-genitive } пока не указан: /placement запустит тест.
error-not-learning = «{ $input }» нет среди изучаемых вами языков. Их список — в /profile.

progress-no-exams = 📝 Тестов пока не было. /placement определит ваш уровень.
progress-exams = 📝 Последние тесты:
progress-exam-line = • { $date } { $title }: { $correct }/{ $total } — { $outcome }
progress-exam-level = уровень { $level }
progress-exam-passed = пройден
progress-exam-failed = не пройден
progress-exam-cancelled = остановлен
progress-exam-abandoned = закрыт без ответа

## Серии и приглашения вернуться

streak-none = 🔥 Серии пока нет: выполните шаг курса или пройдите тест сегодня, чтобы её начать.
streak-line = 🔥 Серия: { $days } { $days ->
        [one] день
        [few] дня
       *[other] дней
    } (рекорд — { $best } { $best ->
        [one] день
        [few] дня
       *[other] дней
    }). { $freeze }
streak-freeze-ready = Заморозка этой недели доступна: один пропущенный день серию не прервёт.
streak-freeze-used = Заморозка этой недели уже использована.
reengage-first = 👋 Прошло несколько дней! Может, позанимаемся немного сегодня?
reengage-second = 👋 Неделя без практики — ваши языки скучают.
reengage-third = 👋 Уже две недели. Чтобы снова войти в ритм, хватит одного маленького шага сегодня.
reengage-last = 👋 Прошёл месяц. Больше напоминать не буду — возвращайтесь, когда захотите, я здесь.
reengage-course = 📚 Вас ждёт день { $day } курса «{ $title }». Выполните задание и отправьте /done.
reengage-placement = 📝 Не уверены в своём уровне? /placement определит его за несколько минут.
reengage-courses = 📚 В /courses есть короткие ежедневные задания, чтобы не терять форму.
reengage-partner = 🤝 Партнёр по практике ждёт от вас вестей — просто напишите сюда, я передам.
reengage-proposal = 🤝 Подобранный партнёр ждёт вашего ответа: /partner покажет предложение.

## Подбор партнёров и партнёрства

find-queued = 🔎 Вы в очереди. Скоро я предложу вам партнёра по практике — человека, который говорит на изучаемом вами языке и учит ваш. /pause остановит предложения.
find-waiting = 🔎 Вы в очереди. Предложу партнёра, как только найду подходящего человека.
find-paused = Подбор партнёров приостановлен. Сначала отправьте /resume, затем /find.
find-partnered = У вас уже есть партнёр по практике. /partner покажет профиль партнёра, /end завершит партнёрство.
proposal-card =
    🤝 Я нашёл вам партнёра по практике:

    { $card }

    Хотите практиковаться вместе?
button-accept = ✅ Принять
button-decline = ✖️ Отказаться
proposal-accepted-waiting = ✅ Вы согласились. Сообщу, как только партнёр ответит.
proposal-partner-accepted = 🙌 От предложенного партнёра пришло согласие!
proposal-declined = Хорошо, вы отказались. Ваше место в очереди сохранено — поищу кого-нибудь другого.
proposal-partner-declined = У предложенного партнёра в этот раз не получилось. Вы снова в очереди, ваше место сохранено.
proposal-fell-through = Предложение сорвалось: у другой стороны что-то изменилось. Вы снова в очереди, ваше место сохранено.
proposal-expired-partner = Ответа от предложенного партнёра не было, и предложение истекло. Вы снова в очереди, ваше место сохранено.
proposal-expired-you = Предложение истекло: вы не ответили вовремя. Вы снова в очереди, но немного дальше. Если сейчас неудобно, /pause остановит предложения.
proposal-gone = Это предложение уже неактуально.
partnership-started =
    🎉 Теперь вы партнёры по практике!

    { $card }

    Всё, что вы напишете мне (кроме команд), я анонимно передам партнёру. /reveal — предложить обменяться контактами, /partner — профиль партнёра, /end — завершить партнёрство; /report и /block — если что-то не так.
partner-none = Сейчас у вас нет партнёра по практике. /find поможет его найти.
partner-show =
    🤝 Ваш партнёр по практике с { $since }:

    { $card }

    Вы отправили { $sent } { $sent ->
        [one] сообщение
        [few] сообщения
       *[other] сообщений
    }, получили { $received }.
    { $reveal }
partner-anonymous = Вы анонимны друг для друга. /reveal предложит обменяться контактами.
partner-reveal-waiting = Вы предложили обменяться контактами — ждём ответа партнёра.
partner-revealed = Контакт партнёра: { $handle }
relay-from-partner = 💬 Партнёр: { $text }
relay-text-only = Партнёру я могу передавать только текст.
relay-too-long = В сообщении { $length } { $length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а пройти может не больше { $max }. Разделите его, пожалуйста, на части.
relay-slow-down = Вы пишете слишком часто. Подождите минуту перед следующим сообщением.
relay-undelivered-paused = ⚠️ Сообщение не доставлено: у партнёра lexbot на паузе.
relay-undelivered-unreachable = ⚠️ Сообщение не доставлено: бот заблокирован на стороне партнёра, и сообщения сейчас не доходят.
reveal-asked = Я предложил партнёру обменяться контактами. Передам их, только если партнёр согласится.
reveal-partner-asked = Партнёр предлагает обменяться контактами. Чтобы согласиться, отправьте /reveal.
reveal-done = 🔓 Контакты переданы. Ваш партнёр: { $handle }
reveal-no-handle = В вашем аккаунте нет имени пользователя, которым я мог бы поделиться. Задайте его в настройках приложения и снова отправьте /reveal.
end-confirm = Завершить партнёрство? Если хотите, оцените, как всё прошло (партнёр вашу оценку не увидит).
button-end-no-rating = Завершить без оценки
button-end-keep = Продолжить партнёрство
end-kept = Хорошо, партнёрство продолжается.
end-done = Партнёрство завершено. Спасибо за практику! /find найдёт нового партнёра.
end-proposal = У вас есть предложение, которое ждёт ответа: примите его или откажитесь кнопками ниже.
partner-ended = Партнёрство завершено по инициативе партнёра. Спасибо за практику! /find найдёт нового партнёра.
partner-gone = Партнёра больше нет в lexbot, поэтому партнёрство завершено. /find найдёт нового партнёра.
report-nobody = Жаловаться не на кого: жалобу можно подать на текущего, предложенного или последнего партнёра.
report-ask-reason = Что случилось? Жалобу прочитают администраторы, человек её не увидит.
report-reason-spam = Спам или реклама
report-reason-harassment = Оскорбления или преследование
report-reason-inappropriate = Неприемлемый контент
report-reason-no_show = Неявка на практику
report-reason-other = Другое
report-ask-details = Опишите одним сообщением, что произошло, — или нажмите «Пропустить».
button-report-skip = Пропустить
report-filed = Спасибо, администраторы разберутся. /block прекратит любой контакт с этим человеком.
block-nobody = Блокировать некого: заблокировать можно текущего, предложенного или последнего партнёра.
block-already = Вы уже заблокировали этого человека.
block-confirm = Заблокировать этого человека? Вас больше никогда не сведут, сообщения от этого человека до вас не дойдут, а ваше партнёрство закончится.
button-block-yes = Да, заблокировать
button-block-no = Нет
block-cancelled = Хорошо, блокировки не будет.
block-done = 🚫 Человек заблокирован, вас больше не сведут. /find найдёт нового партнёра.
cancel-partner = Отменено. Ничего не изменилось.
follow-up-ask = 👋 Прошла неделя с тех пор, как вы стали партнёрами по практике. Удалось позаниматься вместе?
button-follow-up-yes = Да, занимались
button-follow-up-not-yet = Пока нет
button-follow-up-no-show = Партнёра не было на встрече
follow-up-thanks-yes = 🔥 Отлично — так держать!
follow-up-thanks-not-yet = Ничего страшного. Напишите партнёру здесь, чтобы договориться о времени.
follow-up-thanks-no-show = Спасибо, что сообщили. /end завершит партнёрство, а /find найдёт кого-нибудь другого.
follow-up-already = Вы уже ответили, спасибо.
follow-up-gone = Этот вопрос о партнёрстве, которое уже завершено.
no-show-noted = По словам партнёра, вы не пришли на практику. Если планы изменились, просто напишите партнёру здесь.
no-show-paused = По словам { $count } { $count ->
        [one] партнёра
       *[other] партнёров
    }, вы не приходили на практику, поэтому я приостановил подбор. Отправьте /resume, когда будете готовы заниматься.
error-text-too-long = В тексте { $length } { $length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а помещается не больше { $max }. Сократите его, пожалуйста.

## Названия языков внутри фразы — строчными, в трёх падежах. Сообщения получают их как
## { $language } (именительный; винительный у названий языков такой же),
## { $language-genitive } и { $language-prepositional }. Меню и карточка профиля берут
## названия из config/content/languages.toml.

-language-en = { $case ->
       *[nominative] английский
        [genitive] английского
        [prepositional] английском
    }
-language-es = { $case ->
       *[nominative] испанский
        [genitive] испанского
        [prepositional] испанском
    }
-language-de = { $case ->
       *[nominative] немецкий
        [genitive] немецкого
        [prepositional] немецком
    }
-language-fr = { $case ->
       *[nominative] французский
        [genitive] французского
        [prepositional] французском
    }
-language-it = { $case ->
       *[nominative] итальянский
        [genitive] итальянского
        [prepositional] итальянском
    }
-language-pt = { $case ->
       *[nominative] португальский
        [genitive] португальского
        [prepositional] португальском
    }
-language-ru = { $case ->
       *[nominative] русский
        [genitive] русского
        [prepositional] русском
    }
-language-zh = { $case ->
       *[nominative] китайский
        [genitive] китайского
        [prepositional] китайском
    }
-language-ja = { $case ->
       *[nominative] японский
        [genitive] японского
        [prepositional] японском
    }
-language-ko = { $case ->
       *[nominative] корейский
        [genitive] корейского
        [prepositional] корейском
    }
-language-ar = { $case ->
       *[nominative] арабский
        [genitive] арабского
        [prepositional] арабском
    }
-language-tr = { $case ->
       *[nominative] турецкий
        [genitive] турецкого
        [prepositional] турецком
    }
-language-pl = { $case ->
       *[nominative] польский
        [genitive] польского
        [prepositional] польском
    }
-language-uk = { $case ->
       *[nominative] украинский
        [genitive] украинского
        [prepositional] украинском
    }
-language-nl = { $case ->
       *[nominative] нидерландский
        [genitive] нидерландского
        [prepositional] нидерландском
    }
-language-sv = { $case ->
       *[nominative] шведский
        [genitive] шведского
        [prepositional] шведском
    }
-language-no = { $case ->
       *[nominative] норвежский
        [genitive] норвежского
        [prepositional] норвежском
    }
-language-da = { $case ->
       *[nominative] датский
        [genitive] датского
        [prepositional] датском
    }
-language-fi = { $case ->
       *[nominative] финский
        [genitive] финского
        [prepositional] финском
    }
-language-is = { $case ->
       *[nominative] исландский
        [genitive] исландского
        [prepositional] исландском
    }
-language-el = { $case ->
       *[nominative] греческий
        [genitive] греческого
        [prepositional] греческом
    }
-language-he = { $case ->
       *[nominative] иврит
        [genitive] иврита
        [prepositional] иврите
    }
-language-cs = { $case ->
       *[nominative] чешский
        [genitive] чешского
        [prepositional] чешском
    }
-language-sk = { $case ->
       *[nominative] словацкий
        [genitive] словацкого
        [prepositional] словацком
    }
-language-sl = { $case ->
       *[nominative] словенский
        [genitive] словенского
        [prepositional] словенском
    }
-language-hr = { $case ->
       *[nominative] хорватский
        [genitive] хорватского
        [prepositional] хорватском
    }
-language-sr = { $case ->
       *[nominative] сербский
        [genitive] сербского
        [prepositional] сербском
    }
-language-bs = { $case ->
       *[nominative] боснийский
        [genitive] боснийского
        [prepositional] боснийском
    }
-language-mk = { $case ->
       *[nominative] македонский
        [genitive] македонского
        [prepositional] македонском
    }
-language-bg = { $case ->
       *[nominative] болгарский
        [genitive] болгарского
        [prepositional] болгарском
    }
-language-ro = { $case ->
       *[nominative] румынский
        [genitive] румынского
        [prepositional] румынском
    }
-language-hu = { $case ->
       *[nominative] венгерский
        [genitive] венгерского
        [prepositional] венгерском
    }
-language-lt = { $case ->
       *[nominative] литовский
        [genitive] литовского
        [prepositional] литовском
    }
-language-lv = { $case ->
       *[nominative] латышский
        [genitive] латышского
        [prepositional] латышском
    }
-language-et = { $case ->
       *[nominative] эстонский
        [genitive] эстонского
        [prepositional] эстонском
    }
-language-be = { $case ->
       *[nominative] белорусский
        [genitive] белорусского
        [prepositional] белорусском
    }
-language-ka = { $case ->
       *[nominative] грузинский
        [genitive] грузинского
        [prepositional] грузинском
    }
-language-hy = { $case ->
       *[nominative] армянский
        [genitive] армянского
        [prepositional] армянском
    }
-language-az = { $case ->
       *[nominative] азербайджанский
        [genitive] азербайджанского
        [prepositional] азербайджанском
    }
-language-kk = { $case ->
       *[nominative] казахский
        [genitive] казахского
        [prepositional] казахском
    }
-language-uz = { $case ->
       *[nominative] узбекский
        [genitive] узбекского
        [prepositional] узбекском
    }
-language-ky = { $case ->
       *[nominative] киргизский
        [genitive] киргизского
        [prepositional] киргизском
    }
-language-tg = { $case ->
       *[nominative] таджикский
        [genitive] таджикского
        [prepositional] таджикском
    }
-language-tt = { $case ->
       *[nominative] татарский
        [genitive] татарского
        [prepositional] татарском
    }
-language-mn = { $case ->
       *[nominative] монгольский
        [genitive] монгольского
        [prepositional] монгольском
    }
-language-fa = { $case ->
       *[nominative] персидский
        [genitive] персидского
        [prepositional] персидском
    }
-language-hi = { $case ->
       *[nominative] хинди
        [genitive] хинди
        [prepositional] хинди
    }
-language-bn = { $case ->
       *[nominative] бенгальский
        [genitive] бенгальского
        [prepositional] бенгальском
    }
-language-ur = { $case ->
       *[nominative] урду
        [genitive] урду
        [prepositional] урду
    }
-language-pa = { $case ->
       *[nominative] панджаби
        [genitive] панджаби
        [prepositional] панджаби
    }
-language-ta = { $case ->
       *[nominative] тамильский
        [genitive] тамильского
        [prepositional] тамильском
    }
-language-id = { $case ->
       *[nominative] индонезийский
        [genitive] индонезийского
        [prepositional] индонезийском
    }
-language-ms = { $case ->
       *[nominative] малайский
        [genitive] малайского
        [prepositional] малайском
    }
-language-tl = { $case ->
       *[nominative] тагальский
        [genitive] тагальского
        [prepositional] тагальском
    }
-language-vi = { $case ->
       *[nominative] вьетнамский
        [genitive] вьетнамского
        [prepositional] вьетнамском
    }
-language-th = { $case ->
       *[nominative] тайский
        [genitive] тайского
        [prepositional] тайском
    }
-language-sw = { $case ->
       *[nominative] суахили
        [genitive] суахили
        [prepositional] суахили
    }
-language-af = { $case ->
       *[nominative] африкаанс
        [genitive] африкаанса
        [prepositional] африкаансе
    }
-language-sq = { $case ->
       *[nominative] албанский
        [genitive] албанского
        [prepositional] албанском
    }
-language-ca = { $case ->
       *[nominative] каталанский
        [genitive] каталанского
        [prepositional] каталанском
    }
-language-eu = { $case ->
       *[nominative] баскский
        [genitive] баскского
        [prepositional] баскском
    }
-language-gl = { $case ->
       *[nominative] галисийский
        [genitive] галисийского
        [prepositional] галисийском
    }
-language-ga = { $case ->
       *[nominative] ирландский
        [genitive] ирландского
        [prepositional] ирландском
    }
-language-cy = { $case ->
       *[nominative] валлийский
        [genitive] валлийского
        [prepositional] валлийском
    }
-language-eo = { $case ->
       *[nominative] эсперанто
        [genitive] эсперанто
        [prepositional] эсперанто
    }
-language-la = { $case ->
       *[nominative] латынь
        [genitive] латыни
        [prepositional] латыни
    }

## Администраторы (эти тексты видят только те, кто указан в [admin] accounts)

admin-help =
    Команды администратора:
    /stats — люди, подбор, доставка и таймеры одним взглядом
    /user ID — человек (id, платформа:id аккаунта или @ник) и журнал действий о нём
    /ban ID [причина] — больше не подбирается, партнёрство заканчивается, одно уведомление
    /unban ID — снять блокировку
    /reports — открытые жалобы, старые первыми: решить / отклонить / заблокировать
    /broadcast [lang:КОД] ТЕКСТ — сообщение всем (или одному языку интерфейса), сначала предпросмотр
    /match_now — волна подбора сейчас
    /reload_content — перечитать пакет контента (пакет с ошибками не принимается)
    /deadletters — недоставленные сообщения и повтор
admin-failed = Не получилось; причина в логах.
admin-no-such-person = Никто не подходит под «{ $target }».
admin-usage-user = Как: /user ID, где ID — id человека, платформа:id аккаунта (telegram:123) или @ник.
admin-usage-ban = Как: /ban ID [причина], где ID — id человека, платформа:id аккаунта (telegram:123) или @ник.
admin-usage-unban = Как: /unban ID, где ID — id человека, платформа:id аккаунта (telegram:123) или @ник.
admin-usage-broadcast = Как: /broadcast [lang:КОД] ТЕКСТ — например, /broadcast lang:ru Привет! (без lang: — всем).
admin-stats-title = 📊 lexbot сейчас
admin-stats-people = Люди: { $value } (в анкете: { $onboarding }, с анкетой: { $onboarded }, на паузе: { $paused }, недоступны: { $unreachable }, заблокированы: { $banned })
admin-stats-arrivals = Заполнили анкету за сутки: { $value }, за неделю: { $week }
admin-stats-matching = В очереди: { $waiting }, с предложением: { $proposed }, активных партнёрств: { $partnerships }
admin-stats-waves = За сутки: волн — { $waves }, пар — { $pairs }
admin-stats-delivery = Очередь отправки: ждут — { $queued }, мёртвых — { $dead }; опоздавших таймеров: { $late }; открытых жалоб: { $reports }
admin-stats-pairs = Частые языковые пары (родной → изучаемый):
admin-user-title = 👤 Человек { $id }
admin-user-since = С нами с: { $date }
admin-user-accounts = Аккаунты: { $accounts }
admin-user-profile = Анкета: { $status }; интерфейс { $interface }. Родные: { $native }; изучает: { $targets }
admin-user-onboarded = заполнена
admin-user-onboarding = не заполнена
admin-user-matching = Подбор: { $matching }
admin-matching-idle = не ищет
admin-matching-waiting = ждёт в очереди
admin-matching-proposed = есть предложение
admin-matching-partnered = в партнёрстве
admin-flag-banned = заблокирован
admin-flag-paused = на паузе
admin-flag-unreachable = недоступен (заблокировал бота)
admin-user-reports = Жалоб на него: { $about }, от него: { $filed }
admin-user-audit = Действия администраторов (новые первыми):
admin-user-no-audit = Действий администраторов не было.
admin-banned = { $id } заблокирован: исключён из подбора, партнёрство (если было) закончено, уведомление отправлено.
admin-already-banned = { $id } уже был заблокирован.
admin-unbanned = С { $id } снята блокировка, уведомление отправлено.
admin-not-banned = { $id } не был заблокирован.
admin-reports-none = Открытых жалоб нет.
admin-reports-title = Открытых жалоб: { $reports } (ниже самые старые, показано: { $shown })
admin-report =
    Жалоба №{ $id } — { $date }
    От { $reporter } на { $about }
    Причина: { $reason }
    Подробности: { $details }
button-admin-resolve = Решено
button-admin-dismiss = Отклонить
button-admin-ban = Заблокировать
admin-report-resolved = Жалоба №{ $id } решена.
admin-report-dismissed = Жалоба №{ $id } отклонена.
admin-report-banned = Жалоба №{ $id } закрыта, человек заблокирован.
admin-report-gone = Жалоба №{ $id } уже закрыта.
admin-broadcast-unknown-locale = Языка интерфейса «{ $input }» нет. Используйте lang:en или lang:ru.
admin-broadcast-too-long = В рассылке помещается не больше { $max } символов, а в этой { $length } { $length ->
        [one] символ
        [few] символа
       *[other] символов
    }.
admin-audience-everyone = все
admin-audience-locale = те, у кого интерфейс { $interface }
admin-broadcast-preview =
    Предпросмотр:

    { $text }

    Получателей: { $people } ({ $audience }). Отправить?
button-admin-broadcast-send = Отправить
button-admin-broadcast-cancel = Отмена
admin-broadcast-nobody = Получателей нет: в этой аудитории нет доступных людей с заполненной анкетой.
admin-broadcast-sending = Ставлю рассылку в очередь, получателей: { $people }. Сообщу, когда она уйдёт.
admin-broadcast-cancelled = Рассылка отменена, ничего не отправлено.
admin-broadcast-queued = Рассылка №{ $id }: сообщений в очереди — { $queued }.
admin-broadcast-progress = Рассылка №{ $id } пока: в очереди — { $queued }, отправлено — { $delivered }, не доставлено — { $failed }.
admin-broadcast-done = Рассылка №{ $id } завершена: в очереди было — { $queued }, отправлено — { $delivered }, не доставлено — { $failed }.
admin-match-requested = Волна подбора запрошена; в очереди: { $waiting }.
admin-content-reloaded = Контент перечитан: языков — { $languages }, курсов — { $courses }, экзаменов — { $exams }.
admin-content-refused =
    В пакете контента ошибки, поэтому остаётся прежний:
    { $errors }
admin-deadletters-none = Недоставленных сообщений нет.
admin-deadletters = Недоставленных сообщений: { $dead }. Последние:
button-admin-retry = Повторить все
admin-deadletters-retried = Снова в очереди: { $queued }.
ban-notice = Администратор приостановил ваш аккаунт в lexbot: подбор партнёров и остальные функции пока недоступны.
unban-notice = Ваш аккаунт в lexbot снова активен. /find ищет партнёра для практики.
