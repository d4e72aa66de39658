"""A person's browser on the cloud's dashboard: Debian's Chromium,
headless, driven by Selenium through Debian's chromedriver (nothing is
downloaded: Selenium is told where both are).

Reads go through one script each (a table's rows, the page's messages),
so a page costs one round trip, not one per cell.
"""

import os
import pathlib
import time

CHROMIUM = pathlib.Path('/usr/bin/chromium')
CHROMEDRIVER = pathlib.Path('/usr/bin/chromedriver')
WAIT = 60  # seconds for a page, a modal or a message
WINDOW = (1280, 760)

# Every data row of a Horizon table, as {column heading: cell text}, with
# the row's object id under "id" and its links under "links".
ROWS_SCRIPT = '''
const table = document.querySelector('table#' + arguments[0]);
if (!table) { return null; }
const headings = Array.from(
    table.querySelectorAll('thead tr:last-child th'),
    th => th.innerText.trim());
return Array.from(table.querySelectorAll('tbody tr[data-object-id]'),
    tr => {
        const row = {id: tr.getAttribute('data-object-id'), links: {}};
        Array.from(tr.children).forEach((td, index) => {
            row[headings[index] || ('#' + index)] = td.innerText.trim();
        });
        tr.querySelectorAll('a').forEach(a => {
            row.links[a.innerText.trim()] = a.getAttribute('href');
        });
        return row;
    });
'''

# The alerts Horizon shows at the top of the page (success, error...).
MESSAGES_SCRIPT = '''
return Array.from(document.querySelectorAll('.messages .alert'),
                  alert => alert.innerText.replace(/^\\s*\\u00d7\\s*/, '')
                                          .trim());
'''


def missing():
    """What this machine lacks to run the browser, as readable text."""
    return ['%s (Debian: apt-get install %s)' % (path, package)
            for path, package in ((CHROMIUM, 'chromium'),
                                  (CHROMEDRIVER, 'chromium-driver'))
            if not path.exists()]


class Browser:
    """One headless Chromium, logged in as one user of the dashboard at
    ``base_url``; screenshots go to ``shots`` (a folder)."""

    def __init__(self, base_url, shots):
        # Imported here: a machine without the cloud's servers skips the
        # cloud tests before anything needs Selenium.
        from selenium import webdriver
        from selenium.webdriver.chrome import service

        self.base_url = base_url.rstrip('/')
        self.shots = pathlib.Path(shots)
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ('--headless=new', '--no-sandbox',
                         '--disable-dev-shm-usage', '--disable-gpu',
                         '--window-size=%d,%d' % WINDOW, '--lang=en-US'):
            options.add_argument(argument)
        # The calendar draws in the browser's time zone; the tables are in
        # the dashboard's (UTC).
        env = dict(os.environ, TZ='UTC')
        self.driver = webdriver.Chrome(
            service=service.Service(str(CHROMEDRIVER), env=env),
            options=options)

    def quit(self):
        self.driver.quit()

    # Waiting and finding

    def wait(self, check, what, timeout=WAIT, interval=0.2):
        """Call ``check()`` until it returns something true; that value.
        Fails naming ``what``, with the page's URL and text."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError('%s: not within %s s; page %s:\n%s' % (
                    what, timeout, self.driver.current_url,
                    self.text()[:3000]))
            time.sleep(interval)

    def css(self, selector):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector):
        return [e for e in self.css(selector) if e.is_displayed()]

    def one(self, selector, what=None):
        """The first visible element of ``selector``, waited for."""
        return self.wait(lambda: (self.visible(selector) or [None])[0],
                         what or 'an element %s' % selector)

    def text(self):
        try:
            return self.driver.execute_script(
                'return document.body ? document.body.innerText : ""')
        except Exception as exc:  # a page being replaced
            return '(no text: %s)' % exc

    # Pages

    def open(self, path):
        """Load ``path`` of the dashboard and wait until it is loaded."""
        self.driver.get(self.base_url + path)
        self.wait(lambda: self.driver.execute_script(
            'return document.readyState') == 'complete', 'page %s' % path)

    def login(self, username, password, then='/'):
        """Horizon's login form, as a person fills it in; the dashboard
        then shows ``then`` (Horizon's own home, the project overview,
        asks every service for usage and quotas: seconds)."""
        self.open('/auth/login/?next=' + then)
        self.one('#id_username').send_keys(username)
        self.one('#id_password').send_keys(password)
        self.one('#loginBtn').click()
        self.wait(lambda: '/auth/login' not in self.driver.current_url and
                  self.css('.navbar'), 'logged in as %s' % username)

    def fill(self, fields, scope):
        """Type into the inputs of the form ``scope`` (a CSS selector), by
        field name."""
        for name, value in fields.items():
            element = self.one('%s [name="%s"]' % (scope, name),
                               'field %s' % name)
            element.clear()
            element.send_keys(value)

    def choose(self, name, label, scope):
        """Pick ``label`` in Horizon's themed drop-down for the select
        ``name`` of the form ``scope``, as a person clicks it."""
        menu = '%s .themable-select:has(select[name="%s"])' % (scope, name)
        self.one(menu + ' .dropdown-toggle', 'the %s menu' % name).click()
        choice = self.wait(lambda: next(
            (a for a in self.visible(menu + ' .dropdown-menu a')
             if a.text.strip() == label), None),
            'the choice %s of %s' % (label, name))
        choice.click()

    def submit(self, scope):
        """Press the submit button of the form ``scope``."""
        self.one('%s [type="submit"]' % scope, 'the submit button').click()

    def rows(self, table):
        """The rows of Horizon's table ``table`` (its name)."""
        return self.driver.execute_script(ROWS_SCRIPT, table) or []

    def row(self, table, object_id):
        return next((row for row in self.rows(table)
                     if row['id'] == object_id), None)

    def messages(self):
        return self.driver.execute_script(MESSAGES_SCRIPT)

    def wait_message(self, text):
        """The alert that contains ``text``, waited for (an error alert
        fails at once)."""
        def check():
            found = self.messages()
            errors = [m for m in found if m.lower().startswith('error')]
            assert not errors, 'the dashboard says: %s' % errors
            return next((m for m in found if text in m), None)
        return self.wait(check, 'a message "%s"' % text)

    def screenshot(self, name):
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / ('dashboard-%s.png' % name)
        self.driver.save_screenshot(str(path))
        return path
