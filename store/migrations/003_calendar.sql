-- The anniversary calendar: commemorative days, built-in and admins' own. A row mirrors
-- calendar.Event; the CHECK constraints repeat calendar.Event.Validate so that a row
-- written by hand (psql) cannot make the daily notices fail. Go validates first and
-- gives the friendly messages; these are the backstop.

CREATE TABLE calendar_events (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Identifies the event across imports and exports (CSV) and keeps the built-in list
    -- from being seeded twice. Broadcasts use the id instead (anniv:<id>:<date>), so an
    -- edited slug never makes a notice go out again.
    slug         text        NOT NULL UNIQUE
                 CHECK (length(slug) <= 64 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    -- solar: day and month are Gregorian; lunar: Vietnamese lunar (âm lịch).
    kind         text        NOT NULL CHECK (kind IN ('solar', 'lunar')),
    day          integer     NOT NULL,
    month        integer     NOT NULL CHECK (month BETWEEN 1 AND 12),
    -- A lunar event defined on a leap month (it falls back to the regular month in years
    -- without that leap month; see the calendar package's doc).
    leap         boolean     NOT NULL DEFAULT false,
    -- The year of the original event (the lunar year for lunar events); 0, not NULL, when
    -- anniversaries are not counted (Tết, Giỗ Tổ), as in calendar.Event. There is no
    -- year 0 in the Gregorian calendar, so 0 cannot be mistaken for a real year.
    founded_year integer     NOT NULL DEFAULT 0 CHECK (founded_year BETWEEN 0 AND 9999),
    -- Written to follow "Kỷ niệm N năm ". One line: no control characters (C0, DEL, C1).
    title        text        NOT NULL
                 CHECK (title <> '' AND char_length(title) <= 300 AND title !~ '[\x01-\x1f\x7f-\x9f]'),
    -- Orders the banner: organisation first, then province, then national.
    category     text        NOT NULL CHECK (category IN ('national', 'province', 'organisation')),
    -- Days before a round anniversary (N % 5 == 0) that an advance notice goes out; 0: none.
    advance_days integer     NOT NULL DEFAULT 7 CHECK (advance_days BETWEEN 0 AND 365),
    -- The document the day comes from (decree, guideline, resolution), for admins.
    source       text        NOT NULL DEFAULT ''
                 CHECK (char_length(source) <= 500 AND source !~ '[\x01-\x1f\x7f-\x9f]'),
    -- Disabled events are kept (an admin may enable them again) but produce no notices.
    enabled      boolean     NOT NULL DEFAULT true,
    -- Seeded from the built-in list shipped in the binary. Seeding inserts only the slugs
    -- that are absent, so an admin's edits and disables of a built-in row survive restarts.
    builtin      boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- Any year's date is allowed for a solar event, 29/2 included (observed on 28/2 in
    -- common years); a lunar day may be 30 (observed on 29 in 29-day months). Only lunar
    -- events have leap months.
    CONSTRAINT calendar_events_day_check CHECK (
        CASE kind
            WHEN 'solar' THEN NOT leap AND day >= 1 AND day <=
                CASE WHEN month = 2 THEN 29 WHEN month IN (4, 6, 9, 11) THEN 30 ELSE 31 END
            ELSE day BETWEEN 1 AND 30
        END)
);
