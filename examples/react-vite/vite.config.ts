/** The example app's build: React's JSX transform, relative asset paths so dist/ can be served from any folder. */
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({ base: './', plugins: [react()] })
