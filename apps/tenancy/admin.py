# The Business admin lives in apps.accounts.admin: it shows each business with its people.
