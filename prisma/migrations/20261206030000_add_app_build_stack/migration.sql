-- The stack an app's next deploy takes after `heroku stack:set` chose one other than the
-- stack it runs on (Heroku's build_stack); null: its stack. A release of a slug moves the
-- app to the slug's stack.
ALTER TABLE "apps" ADD COLUMN "build_stack" TEXT;
